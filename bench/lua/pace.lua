-- Fixed-rate pacing. wrk 4.1 has no rate option, so delay() (called before each request) hands
-- out send slots `threads / rate` seconds apart per thread, shared by the thread's connections.
-- An approximation: latency is still measured from the actual send, and when every connection
-- is busy the slot is missed (no catch-up burst), so the achieved rate is reported, not assumed.
-- Argument: rate=<requests per second, all threads together>; needs threads=<wrk threads>.

local ffi = require("ffi")
ffi.cdef([[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clock_id, bench_timespec *ts);
]])
local CLOCK_MONOTONIC = 1
local clock = ffi.new("bench_timespec")
local next_slot = nil

local function now_ms()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, clock)
  return tonumber(clock.tv_sec) * 1000 + tonumber(clock.tv_nsec) / 1e6
end

function delay()
  local interval = 1000 * tonumber(opts.threads) / tonumber(opts.rate)
  local now = now_ms()
  if next_slot == nil or next_slot < now - interval then
    next_slot = now
  end
  local wait = next_slot - now
  next_slot = next_slot + interval
  return math.floor(wait + 0.5)
end
