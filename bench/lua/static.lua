-- One fixed request, repeated (the read shapes). Arguments: method=GET|POST, body=<file>, auth=<header>.
-- Setting wrk.method/body/headers (and not defining request()) keeps wrk on its pre-built request path.

function prepare()
  wrk.method = opts.method or "GET"
  if opts.body then
    local file = assert(io.open(opts.body, "rb"))
    wrk.body = file:read("*a")
    file:close()
    wrk.headers["Content-Type"] = "application/json"
  end
  if opts.auth then
    wrk.headers["Authorization"] = opts.auth
  end
end
