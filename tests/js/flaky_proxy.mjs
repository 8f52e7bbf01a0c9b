// A proxy in front of an S3 server that answers the first try of every request with
// 503 SlowDown and passes the retry through, Host header and all (so signatures still hold).
// A CompleteMultipartUpload (POST ?uploadId=) gets instead what S3 may send: 200 OK with an
// InternalError in the body.
// Usage: node flaky_proxy.mjs <target port>; prints "PORT <n>" once listening on loopback.
import http from 'node:http';

const target = Number(process.argv[2]);
let count = 0;

const server = http.createServer((req, res) => {
  count += 1;
  if (count % 2 === 1) {
    const completing = req.method === 'POST' && req.url.includes('uploadId=');
    req.resume();
    req.on('end', () => {
      res.writeHead(completing ? 200 : 503, { 'Content-Type': 'application/xml' });
      res.end(completing
        ? '\n  <?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code>' +
          '<Message>We encountered an internal error. Please try again.</Message></Error>'
        : '<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code>' +
          '<Message>Please reduce your request rate.</Message></Error>');
    });
    return;
  }
  const upstream = http.request(
    { host: '127.0.0.1', port: target, method: req.method, path: req.url, headers: req.headers },
    (answer) => {
      res.writeHead(answer.statusCode, answer.headers);
      answer.pipe(res);
    });
  upstream.on('error', (e) => {
    res.writeHead(502);
    res.end(String(e));
  });
  req.pipe(upstream);
});

server.listen(0, '127.0.0.1', () => console.log(`PORT ${server.address().port}`));
