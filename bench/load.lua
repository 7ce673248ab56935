-- The load mix: each of wrk's threads walks its own part of the URL list written by
-- load_urls.py (LOAD_THREADS threads, starting LOAD_OFFSET URLs into its part), so that no two
-- threads ask for the same URL at once and a list of distinct URLs is asked for once before any
-- URL comes round again. With LOAD_VISITORS, each request comes from one of that many visitors
-- (X-Forwarded-For, as the proxy in front of the portal writes it; the server trusts one proxy),
-- spread over networks, as the public's requests are; without it every request is 127.0.0.1's.
dofile("bench/load_report.lua")
dofile(os.getenv("LOAD_URLS"))
local created = 0
setup = function(thread)
  thread:set("id", created)
  created = created + 1
end
local start, counter = 0, 0
init = function(args)
  local threads = tonumber(os.getenv("LOAD_THREADS") or "1")
  start = (id or 0) * math.floor(#urls / threads) + tonumber(os.getenv("LOAD_OFFSET") or "0")
end
local visitors = tonumber(os.getenv("LOAD_VISITORS") or "0")
request = function()
  counter = counter + 1
  local url = urls[((start + counter) % #urls) + 1]
  if visitors > 0 then
    local v = (counter * 7919 + (id or 0) * 104729) % visitors
    local address = string.format("%d.%d.%d.%d", 11 + v % 200, (v * 7) % 256, (v * 13) % 256, v % 250 + 1)
    return wrk.format("GET", url, { ["X-Forwarded-For"] = address })
  end
  return wrk.format("GET", url)
end
