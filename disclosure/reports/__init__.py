"""Reports: catalogue listings (staff and public), the compliance report, the annual report and
the guide. Their files go out through the kernel's download pipeline (``portal.downloads``)."""
