-- luacheck: globals wrk init
--- B3 reference: wrk's script for POST /api/v2/me/smssessions/ID with the bytes the client
-- sends (Basic auth, JSESSIONID cookie, CSRF token, JSON body). Run by bench/run.lua as
--   wrk -c64 ... -s bench/wrk_post.lua URL -- AUTHORIZATION COOKIE TOKEN_NAME TOKEN BODY
-- (wrk runs it on LuaJIT; the cookie and token come from a GET /me made beforehand).
function init(args)
  wrk.method = "POST"
  wrk.headers["Authorization"] = args[1]
  wrk.headers["Cookie"] = args[2]
  wrk.headers[args[3]] = args[4]
  wrk.headers["Accept"] = "application/json"
  wrk.headers["Content-Type"] = "application/json;charset=UTF-8"
  wrk.headers["User-Agent"] = "gws-sms/0.1.0"
  wrk.body = args[5]
end
