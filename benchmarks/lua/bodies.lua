-- wrk script: POST the bodies listed in an index file (one file path a line) in turn, each thread
-- starting at its own place; at the end print one JSON line with the figures (latency in us).
-- wrk -s bodies.lua URL -- INDEX CONTENT-TYPE
local bodies = {}
local counter = 0
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  local index, ctype = args[1], args[2]
  for path in io.lines(index) do
    local f = assert(io.open(path, "rb"))
    table.insert(bodies, f:read("*a"))
    f:close()
  end
  wrk.method = "POST"
  wrk.headers["Content-Type"] = ctype
  counter = id * 7
end

function request()
  counter = counter + 1
  return wrk.format(nil, nil, nil, bodies[(counter % #bodies) + 1])
end

function done(summary, latency, requests)
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "errors_status": %d, "errors_connect": %d, ' ..
    '"errors_read": %d, "errors_write": %d, "errors_timeout": %d, ' ..
    '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, summary.errors.status, summary.errors.connect,
    summary.errors.read, summary.errors.write, summary.errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
