-- wrk script: GETs /catalog.ttl pages 1..KHO_PAGES in turn, each connection from its own
-- offset, so that concurrent requests build different pages (as several harvesters would).
local pages = tonumber(os.getenv("KHO_PAGES") or "20")
local counter = 0

function setup(thread)
  thread:set("offset", math.random(0, pages - 1))
end

function request()
  counter = counter + 1
  local page = (offset + counter) % pages + 1
  return wrk.format("GET", "/catalog.ttl?page=" .. page)
end
