-- wrk script: POSTs package_create with a unique name per request (3 resources, 2 tags).
-- KHO_TOKEN: an API token of a sysadmin or an editor of KHO_ORG (default so-tai-chinh).
local token = os.getenv("KHO_TOKEN")
local org = os.getenv("KHO_ORG") or "so-tai-chinh"
local counter = 0
local prefix

function setup(thread)
  thread:set("id", tostring(math.random(1, 1000000000)))
end

function init(args)
  prefix = "bench-" .. id .. "-" .. tostring(os.time())
end

function request()
  counter = counter + 1
  local name = prefix .. "-" .. counter
  local body = '{"name":"' .. name .. '","title":"Dữ liệu thử nghiệm ' .. counter .. '","owner_org":"' .. org ..
    '","notes":"Mô tả thử nghiệm","tags":[{"name":"thử nghiệm"},{"name":"hiệu năng"}],' ..
    '"resources":[{"url":"https://a.gov.vn/' .. counter .. '.csv"},{"url":"https://a.gov.vn/' .. counter ..
    '.xlsx"},{"url":"https://a.gov.vn/' .. counter .. '.pdf"}]}'
  return wrk.format("POST", "/api/3/action/package_create",
    {["Content-Type"] = "application/json", ["Authorization"] = token}, body)
end
