// The HTTP API (docs/api.md) as the pages use it. Every failure is an ApiError carrying the
// API's stable `code`, the sentence for people, and, when throttled, when to try again.

export class ApiError extends Error {
  constructor(status, body, retryAfter) {
    super(body.detail || body.title || `the server answered ${status}`);
    this.status = status;
    this.code = body.code || '';
    this.retryAfter = retryAfter;  // seconds, or null
  }
}

async function failure(response) {
  let body = {};
  try {
    body = await response.json();
  } catch {
    // not problem+json (a proxy's page): the status says enough
  }
  const retry = Number(response.headers.get('Retry-After'));
  return new ApiError(response.status, body, Number.isFinite(retry) && retry > 0 ? retry : null);
}

// A JSON call. Resolves with the parsed answer (null for 204); rejects with an ApiError, or with
// a TypeError when the server cannot be reached.
export async function call(method, path, body) {
  const options = {method, headers: {Accept: 'application/json'}, credentials: 'same-origin'};
  if (body !== undefined) {
    options.headers['Content-Type'] = 'application/json';
    options.body = JSON.stringify(body);
  }
  const response = await fetch(path, options);
  if (!response.ok) throw await failure(response);
  return response.status === 204 ? null : response.json();
}

// Uploads `file` with its progress: onProgress(sentBytes, totalBytes). fetch cannot report
// an upload's progress; XMLHttpRequest can. Resolves with the upload (its preview).
export function upload(file, onProgress) {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', `/api/v1/uploads?filename=${encodeURIComponent(file.name)}`);
    request.setRequestHeader('Content-Type', 'text/csv');
    request.setRequestHeader('Accept', 'application/json');
    request.upload.addEventListener('progress', (e) => onProgress(e.loaded, e.total || file.size));
    request.addEventListener('load', () => {
      let body = {};
      try {
        body = JSON.parse(request.responseText);
      } catch {
        // an answer that is not JSON
      }
      if (request.status >= 200 && request.status < 300) return resolve(body);
      const retry = Number(request.getResponseHeader('Retry-After'));
      reject(new ApiError(request.status, body, retry > 0 ? retry : null));
    });
    request.addEventListener('error', () => reject(new TypeError('the upload was cut off')));
    request.send(file);
  });
}

// Follows a job's progress stream: onEvent(job) for each change, until the job ends. The
// browser reconnects by itself after a dropped connection, sending the last event's id, so
// the stream resumes where it stopped. Returns a function that stops listening.
export function followJob(jobId, onEvent, onTrouble) {
  const source = new EventSource(`/api/v1/jobs/${encodeURIComponent(jobId)}/events`);
  const handle = (e) => {
    const job = JSON.parse(e.data);
    onEvent(job);
    if (['completed', 'failed', 'cancelled'].includes(job.status)) source.close();
  };
  for (const name of ['progress', 'completed', 'failed', 'cancelled']) {
    source.addEventListener(name, handle);
  }
  // A dropped stream: the browser tries again by itself; meanwhile one look at the job says
  // whether it ended while nobody listened (then there is nothing left to hear).
  source.addEventListener('error', async () => {
    if (source.readyState === EventSource.CLOSED) return onTrouble?.();
    try {
      const {job} = await call('GET', `/api/v1/jobs/${encodeURIComponent(jobId)}`);
      if (['completed', 'failed', 'cancelled'].includes(job.status)) {
        source.close();
        onEvent(job);
      }
    } catch {
      onTrouble?.();
    }
  });
  return () => source.close();
}
