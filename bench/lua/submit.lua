-- Quiz submissions: every request submits a different open attempt, so each one is a real first
-- submission. Arguments: requests=<file> (one "<Authorization>\t<JSON body>" line per attempt),
-- threads=<wrk threads>. Thread k of n takes lines k, k+n, k+2n, ...: threads never share one.
-- Running out wraps around; the repeats answer ALREADY_SUBMITTED and are counted as errors.

local prepared = {}
local next_index = 1

function prepare()
  local step = tonumber(opts.threads)
  local line_number = 0
  for line in io.lines(opts.requests) do
    line_number = line_number + 1
    if (line_number - thread_index) % step == 0 then
      local auth, body = line:match("^([^\t]*)\t(.*)$")
      local headers = { Host = wrk.headers["Host"], Authorization = auth, ["Content-Type"] = "application/json" }
      prepared[#prepared + 1] = wrk.format("POST", nil, headers, body)
    end
  end
  assert(#prepared > 0, "no submissions for this thread")
end

function request()
  local req = prepared[next_index]
  next_index = next_index % #prepared + 1
  return req
end
