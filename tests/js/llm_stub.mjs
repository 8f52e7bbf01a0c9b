// A stand-in for an OpenAI-compatible chat-completions endpoint, for the LLM writer's tests.
// Listens on 127.0.0.1 (a free port, printed as "PORT <n>") and answers POST
// /v1/chat/completions according to the requested model:
//   faithful      the built-in narratives, reworded, every number kept
//   unfaithful    the summary gets a number no fact has; the other sections stay faithful
//   fenced        the faithful answer inside a ```json fence
//   garbage       text that is not JSON
//   slow          answers after 5 s
//   error         HTTP 500
// It checks the request as a real endpoint would (bearer token when STUB_API_KEY is set).
import http from 'node:http';

function reword(n) {
  return {
    summary: 'In short: ' + n.summary,
    keyFindings: n.keyFindings.replaceAll('- ', '- Finding: '),
    recommendations: n.recommendations.replaceAll('- ', '- Suggestion: '),
  };
}

const server = http.createServer((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
      res.writeHead(404).end('not found');
      return;
    }
    if (process.env.STUB_API_KEY && req.headers.authorization !== 'Bearer ' + process.env.STUB_API_KEY) {
      res.writeHead(401).end('{"error":"bad key"}');
      return;
    }
    const request = JSON.parse(body);
    const user = JSON.parse(request.messages.find((m) => m.role === 'user').content);
    const answer = reword(user.narratives);
    let content = JSON.stringify(answer);
    switch (request.model) {
      case 'unfaithful':
        answer.summary = 'Revenue grew 987654% last year. ' + answer.summary;
        content = JSON.stringify(answer);
        break;
      case 'fenced':
        content = 'Here it is:\n```json\n' + content + '\n```';
        break;
      case 'garbage':
        content = 'I would rather write a poem.';
        break;
      case 'slow':
        setTimeout(() => send(res, content), 5000);
        return;
      case 'error':
        res.writeHead(500, { 'Content-Type': 'application/json' }).end('{"error":"overloaded"}');
        return;
    }
    send(res, content);
  });
});

function send(res, content) {
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify({ choices: [{ index: 0, message: { role: 'assistant', content } }] }));
}

server.listen(0, '127.0.0.1', () => console.log('PORT ' + server.address().port));
