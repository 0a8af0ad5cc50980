'use strict';
// Connects phoenix.js 1.8 with `authToken` to a server and prints what it sent, for PhoenixJsAuthTokenTest:
//   node auth-token.js --base http://127.0.0.1:4000 --token TOKEN
// Prints `SENT_PROTOCOLS <json array>` (what phoenix.js handed the WebSocket), `OPEN <chosen subprotocol>` once the
// socket is open, then disconnects and exits 0; exits 1 on an error or after 15 s.
const { Socket } = require('phoenix');
const WebSocket = require('ws');

const args = {};
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
if (!args.base || args.token === undefined) {
  console.error('usage: node auth-token.js --base http://host:port --token TOKEN');
  process.exit(2);
}

class SeenWebSocket extends WebSocket {
  constructor(url, protocols) {
    console.log(`SENT_PROTOCOLS ${JSON.stringify(protocols)}`);
    super(url, protocols);
  }
}

const socket = new Socket(`${args.base.replace(/^http/, 'ws')}/socket`, { transport: SeenWebSocket, authToken: args.token });
const giveUp = setTimeout(() => { console.error('no open within 15 s'); process.exit(1); }, 15000);
socket.onOpen(() => {
  console.log(`OPEN ${socket.conn.protocol}`);
  clearTimeout(giveUp);
  socket.disconnect(() => process.exit(0));
});
socket.onError((e) => { console.error(`ERROR ${e && e.message}`); process.exit(1); });
socket.connect();
