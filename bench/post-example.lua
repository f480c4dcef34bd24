-- wrk script: POST the API page's example request (or $BODY_FILE) as application/json.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local file = assert(io.open(os.getenv("BODY_FILE") or "Examples/create-request.json", "rb"))
wrk.body = file:read("*a")
file:close()
