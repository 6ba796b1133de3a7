-- wrk reporting: one JSON line with throughput, latency percentiles (ms) and errors.
-- Optional rotation: set ROTATE_FILE (lines "number code") to cycle public progress look-ups.
local pairs_list = {}
local index = 0
local path_template = os.getenv("WRK_PATH_TEMPLATE")  -- e.g. /api/v1/progress/{number}?code={code}
local rotate_file = os.getenv("ROTATE_FILE")

if rotate_file then
  for line in io.lines(rotate_file) do
    local number, code = line:match("^(%S+)%s+(%S+)$")
    if number then table.insert(pairs_list, {number, code}) end
  end
end

function setup(thread)
  thread:set("offset", math.random(1, 1000))
end

function init(args)
  index = offset or 0
end

request = function()
  if #pairs_list == 0 then
    return wrk.format(nil, nil)
  end
  index = index + 1
  local item = pairs_list[(index % #pairs_list) + 1]
  local path = path_template:gsub("{number}", item[1]):gsub("{code}", item[2])
  return wrk.format("GET", path)
end

done = function(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local errors = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "seconds": %.3f, "rps": %.1f, "p50_ms": %.2f, "p90_ms": %.2f, ' ..
    '"p95_ms": %.2f, "p99_ms": %.2f, "max_ms": %.2f, "mean_ms": %.2f, "non_2xx": %d, ' ..
    '"socket_errors": %d}\n',
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, latency.mean / 1000,
    errors.status, errors.connect + errors.read + errors.write + errors.timeout))
end
