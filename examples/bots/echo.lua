-- An echo bot for `gws-sms bot`: the file returns a function that receives the client and
-- wires its handlers; gws-sms then logs the agent in, goes Ready and runs client:run().
--
--   GWS_URL=http://127.0.0.1:8090 GWS_USER=agent1 GWS_PASSWORD=password \
--     bin/gws-sms bot examples/bots/echo.lua
return function(client)
  client:on("invited", function(session)
    print(("[bot] offer %s: accepting"):format(session.id))
    session:accept { nickname = "EchoBot" }
  end)

  client:on("message", function(msg, session)
    if type(msg.from) ~= "table" or msg.from.type ~= "Customer" then return end
    if msg.type == "ParticipantJoined" then
      session:send_message("Hello " .. tostring(msg.from.nickname) .. ", this is EchoBot.")
    elseif msg.type == "Text" then
      print(("[bot] %s: %s"):format(session.id, msg.text))
      session:start_typing()
      client:sleep(0.5) -- long enough to see the typing indicator in the console
      session:send_message("You said: " .. tostring(msg.text))
      session:stop_typing()
    elseif msg.type == "ParticipantLeft" then
      session:set_disposition("Echoed")
      session:complete()
    end
  end)

  client:on("ended", function(session)
    print(("[bot] session %s ended (%s)"):format(session.id, session.state))
  end)
end
