gws-sim: --poll-timeout: '-1' is not a number from 0 to 3600000
usage: gws-sim --port N [--host 127.0.0.1] [--user NAME:PASSWORD]... [--no-csrf]
               [--poll-timeout MS] [--max-batch N] [--state FILE]
               [--tls-cert FILE --tls-key FILE] [--quiet]
