-- The load mix: each request takes the next URL of the list written by load_urls.py.
dofile("bench/load_report.lua")
dofile(os.getenv("LOAD_URLS"))
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", urls[(counter % #urls) + 1])
end
