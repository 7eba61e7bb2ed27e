-- Shared by every benchmark script (bench/load.py puts it first): arguments, error counting and
-- the JSON result line that bench/load.py parses. Arguments come after wrk's `--` as key=value.

local threads = {}
local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  -- 1-based; scripts that must not repeat a request (submit) split their work by it.
  thread:set("thread_index", thread_count)
  table.insert(threads, thread)
end

opts = {}
graphql_errors = 0

function init(args)
  for _, arg in ipairs(args) do
    local key, value = arg:match("^([%w_]+)=(.*)$")
    if key then opts[key] = value end
  end
  prepare()
end

-- A 200 response can still carry errors: top-level GraphQL `errors`, or a mutation payload's
-- `errors` list. Either is an error here; the floor never sends an `errors` key. Statuses over
-- 399 are already wrk's status errors, so their (GraphQL-shaped) bodies are not counted again.
function response(status, headers, body)
  if status < 400 and body and body:find('"errors"%s*:%s*%[%s*{') then
    graphql_errors = graphql_errors + 1
  end
end

function done(summary, latency, requests)
  local app_errors = 0
  for _, thread in ipairs(threads) do
    app_errors = app_errors + (thread:get("graphql_errors") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests":%d,"duration_us":%d,"bytes":%d,'
      .. '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"graphql":%d},'
      .. '"latency_us":{"p50":%d,"p95":%d,"p99":%d,"mean":%.1f,"max":%d}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout, app_errors,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.mean, latency.max
  ))
end
