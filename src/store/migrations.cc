#include "store/migrations.h"

namespace datastory::store {

const std::vector<Migration>& Migrations(Dialect dialect) {
  // Times are milliseconds since the epoch (INTEGER / BIGINT), so both engines compare them the
  // same way. Emails are unique by their lower-case form.
  static const std::vector<Migration> sqlite = {
      {1, R"sql(
CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  email TEXT NOT NULL,
  email_lower TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  tier TEXT NOT NULL CHECK (tier IN ('free', 'professional', 'business', 'enterprise')),
  stories_this_month INTEGER NOT NULL DEFAULT 0,
  stories_month TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE stories (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  title TEXT NOT NULL,
  original_filename TEXT NOT NULL,
  storage_key TEXT NOT NULL,
  row_count INTEGER NOT NULL,
  column_count INTEGER NOT NULL,
  file_size INTEGER NOT NULL,
  summary TEXT NOT NULL,
  key_findings TEXT NOT NULL,
  recommendations TEXT NOT NULL,
  charts_json TEXT NOT NULL,
  statistics_json TEXT NOT NULL,
  visibility TEXT NOT NULL CHECK (visibility IN ('private', 'public')),
  processing_time_ms INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX stories_by_user ON stories (user_id, created_at DESC, id DESC);
CREATE TABLE sessions (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  token_hash TEXT NOT NULL UNIQUE,
  expires_at INTEGER NOT NULL,
  last_activity_at INTEGER NOT NULL,
  user_agent TEXT NOT NULL,
  ip_address TEXT NOT NULL,
  remember_me INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);
)sql"},
      {2, R"sql(
CREATE TABLE jobs (
  id INTEGER PRIMARY KEY,
  job_id TEXT NOT NULL UNIQUE,
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  status TEXT NOT NULL
    CHECK (status IN ('queued', 'processing', 'completed', 'failed', 'cancelled')),
  current_stage TEXT NOT NULL,
  progress INTEGER NOT NULL CHECK (progress BETWEEN 0 AND 100),
  options_json TEXT NOT NULL,
  story_id INTEGER REFERENCES stories (id) ON DELETE SET NULL,
  error_code TEXT,
  error_message TEXT,
  attempts INTEGER NOT NULL,
  max_attempts INTEGER NOT NULL,
  lease_owner TEXT NOT NULL,
  lease_expires_at INTEGER NOT NULL,
  run_after INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX jobs_runnable ON jobs (status, run_after, id);
CREATE INDEX jobs_by_lease ON jobs (status, lease_expires_at);
CREATE INDEX jobs_by_user ON jobs (user_id, created_at);
)sql"},
      {3, R"sql(
-- The schema of the first release. Ids become 128 random bits (UUID v4 text) instead of
-- sequence numbers; jobs carry lease tokens, idempotency keys and the story they reserved;
-- stories keep the whole document, their job and a share token; sessions have an idle and an
-- absolute lifetime. The tables of versions 1 and 2 only ever held test data: they are
-- replaced, not converted.
DROP TABLE IF EXISTS jobs;
DROP TABLE IF EXISTS sessions;
DROP TABLE IF EXISTS stories;
DROP TABLE IF EXISTS users;
CREATE TABLE users (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL,
  email_lower TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  tier TEXT NOT NULL CHECK (tier IN ('free', 'professional', 'business', 'enterprise')),
  stories_this_month INTEGER NOT NULL DEFAULT 0 CHECK (stories_this_month >= 0),
  stories_month TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE stories (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  job_id TEXT UNIQUE,
  title TEXT NOT NULL,
  original_filename TEXT NOT NULL,
  storage_key TEXT NOT NULL,
  row_count INTEGER NOT NULL,
  column_count INTEGER NOT NULL,
  file_size INTEGER NOT NULL,
  summary TEXT NOT NULL,
  key_findings TEXT NOT NULL,
  recommendations TEXT NOT NULL,
  document_json TEXT NOT NULL CHECK (json_valid(document_json)),
  visibility TEXT NOT NULL CHECK (visibility IN ('private', 'public')),
  share_token TEXT UNIQUE,
  processing_time_ms INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX stories_by_user ON stories (user_id, created_at DESC, id DESC);
CREATE TABLE sessions (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  token_hash TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  last_activity_at INTEGER NOT NULL,
  idle_timeout_ms INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  user_agent TEXT NOT NULL,
  ip_address TEXT NOT NULL,
  remember_me INTEGER NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id, created_at);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);
CREATE TABLE jobs (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  status TEXT NOT NULL
    CHECK (status IN ('queued', 'processing', 'completed', 'failed', 'cancelled')),
  current_stage TEXT NOT NULL,
  progress INTEGER NOT NULL CHECK (progress BETWEEN 0 AND 100),
  options_json TEXT NOT NULL CHECK (json_valid(options_json)),
  idempotency_key TEXT,
  story_id TEXT REFERENCES stories (id) ON DELETE SET NULL,
  error_code TEXT,
  error_message TEXT,
  attempts INTEGER NOT NULL,
  max_attempts INTEGER NOT NULL,
  quota_month TEXT NOT NULL,
  max_rows INTEGER NOT NULL,
  lease_owner TEXT NOT NULL,
  lease_token TEXT NOT NULL,
  lease_expires_at INTEGER NOT NULL,
  run_after INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX jobs_by_idempotency_key ON jobs (user_id, idempotency_key)
  WHERE idempotency_key IS NOT NULL;
CREATE INDEX jobs_runnable ON jobs (status, run_after, created_at);
CREATE INDEX jobs_by_lease ON jobs (status, lease_expires_at);
CREATE INDEX jobs_by_user ON jobs (user_id, created_at);
)sql"},
      {4, R"sql(
-- Uploads with their preview, story pages for export, personal API tokens, and failed log-ins
-- counted where every process sees them.
CREATE TABLE uploads (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  storage_key TEXT NOT NULL,
  original_filename TEXT NOT NULL,
  content_type TEXT NOT NULL,
  size INTEGER NOT NULL,
  preview_json TEXT NOT NULL CHECK (json_valid(preview_json)),
  created_at INTEGER NOT NULL
);
CREATE INDEX uploads_by_user ON uploads (user_id, created_at);
CREATE TABLE story_renders (
  story_id TEXT PRIMARY KEY REFERENCES stories (id) ON DELETE CASCADE,
  html TEXT NOT NULL,
  markdown TEXT NOT NULL
);
CREATE TABLE api_tokens (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  last_used_at INTEGER NOT NULL
);
CREATE INDEX api_tokens_by_user ON api_tokens (user_id, created_at);
CREATE TABLE login_failures (
  subject TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE INDEX login_failures_by_subject ON login_failures (subject, at);
)sql"},
      {5, R"sql(
-- Deleting a story looks for the owner's other stories of the same file.
CREATE INDEX stories_by_file ON stories (user_id, storage_key);
)sql"},
      {6, R"sql(
-- The charts drawn as SVG, kept with the pages for the web UI.
ALTER TABLE story_renders ADD COLUMN charts_json TEXT NOT NULL DEFAULT '[]'
  CHECK (json_valid(charts_json));
)sql"},
  };
  // The same tables, in PostgreSQL's types: identity keys, BIGINT times, json for the JSON
  // columns (checked on the way in, and kept byte for byte, unlike jsonb).
  static const std::vector<Migration> postgres = {
      {1, R"sql(
CREATE TABLE users (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email TEXT NOT NULL,
  email_lower TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  tier TEXT NOT NULL CHECK (tier IN ('free', 'professional', 'business', 'enterprise')),
  stories_this_month INTEGER NOT NULL DEFAULT 0,
  stories_month TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE TABLE stories (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  title TEXT NOT NULL,
  original_filename TEXT NOT NULL,
  storage_key TEXT NOT NULL,
  row_count BIGINT NOT NULL,
  column_count BIGINT NOT NULL,
  file_size BIGINT NOT NULL,
  summary TEXT NOT NULL,
  key_findings TEXT NOT NULL,
  recommendations TEXT NOT NULL,
  charts_json json NOT NULL,
  statistics_json json NOT NULL,
  visibility TEXT NOT NULL CHECK (visibility IN ('private', 'public')),
  processing_time_ms BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX stories_by_user ON stories (user_id, created_at DESC, id DESC);
CREATE TABLE sessions (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  token_hash TEXT NOT NULL UNIQUE,
  expires_at BIGINT NOT NULL,
  last_activity_at BIGINT NOT NULL,
  user_agent TEXT NOT NULL,
  ip_address TEXT NOT NULL,
  remember_me BOOLEAN NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);
)sql"},
      {2, R"sql(
CREATE TABLE jobs (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  job_id TEXT NOT NULL UNIQUE,
  user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  status TEXT NOT NULL
    CHECK (status IN ('queued', 'processing', 'completed', 'failed', 'cancelled')),
  current_stage TEXT NOT NULL,
  progress INTEGER NOT NULL CHECK (progress BETWEEN 0 AND 100),
  options_json json NOT NULL,
  story_id BIGINT REFERENCES stories (id) ON DELETE SET NULL,
  error_code TEXT,
  error_message TEXT,
  attempts INTEGER NOT NULL,
  max_attempts INTEGER NOT NULL,
  lease_owner TEXT NOT NULL,
  lease_expires_at BIGINT NOT NULL,
  run_after BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX jobs_runnable ON jobs (status, run_after, id);
CREATE INDEX jobs_by_lease ON jobs (status, lease_expires_at);
CREATE INDEX jobs_by_user ON jobs (user_id, created_at);
)sql"},
      {3, R"sql(
-- The schema of the first release (see the SQLite migration 3 for what changed and why).
-- Ids compare byte by byte (COLLATE "C"), as in SQLite, whatever the database's locale: the
-- story cursor orders by them.
DROP TABLE IF EXISTS jobs;
DROP TABLE IF EXISTS sessions;
DROP TABLE IF EXISTS stories;
DROP TABLE IF EXISTS users;
CREATE TABLE users (
  id TEXT COLLATE "C" PRIMARY KEY,
  email TEXT NOT NULL,
  email_lower TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  tier TEXT NOT NULL CHECK (tier IN ('free', 'professional', 'business', 'enterprise')),
  stories_this_month INTEGER NOT NULL DEFAULT 0 CHECK (stories_this_month >= 0),
  stories_month TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE TABLE stories (
  id TEXT COLLATE "C" PRIMARY KEY,
  user_id TEXT COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  job_id TEXT COLLATE "C" UNIQUE,
  title TEXT NOT NULL,
  original_filename TEXT NOT NULL,
  storage_key TEXT NOT NULL,
  row_count BIGINT NOT NULL,
  column_count BIGINT NOT NULL,
  file_size BIGINT NOT NULL,
  summary TEXT NOT NULL,
  key_findings TEXT NOT NULL,
  recommendations TEXT NOT NULL,
  document_json json NOT NULL,
  visibility TEXT NOT NULL CHECK (visibility IN ('private', 'public')),
  share_token TEXT UNIQUE,
  processing_time_ms BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX stories_by_user ON stories (user_id, created_at DESC, id DESC);
CREATE TABLE sessions (
  id TEXT COLLATE "C" PRIMARY KEY,
  user_id TEXT COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  token_hash TEXT NOT NULL UNIQUE,
  created_at BIGINT NOT NULL,
  last_activity_at BIGINT NOT NULL,
  idle_timeout_ms BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  user_agent TEXT NOT NULL,
  ip_address TEXT NOT NULL,
  remember_me BOOLEAN NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id, created_at);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);
CREATE TABLE jobs (
  id TEXT COLLATE "C" PRIMARY KEY,
  user_id TEXT COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  status TEXT NOT NULL
    CHECK (status IN ('queued', 'processing', 'completed', 'failed', 'cancelled')),
  current_stage TEXT NOT NULL,
  progress INTEGER NOT NULL CHECK (progress BETWEEN 0 AND 100),
  options_json json NOT NULL,
  idempotency_key TEXT,
  story_id TEXT COLLATE "C" REFERENCES stories (id) ON DELETE SET NULL,
  error_code TEXT,
  error_message TEXT,
  attempts INTEGER NOT NULL,
  max_attempts INTEGER NOT NULL,
  quota_month TEXT NOT NULL,
  max_rows BIGINT NOT NULL,
  lease_owner TEXT NOT NULL,
  lease_token TEXT NOT NULL,
  lease_expires_at BIGINT NOT NULL,
  run_after BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX jobs_by_idempotency_key ON jobs (user_id, idempotency_key)
  WHERE idempotency_key IS NOT NULL;
CREATE INDEX jobs_runnable ON jobs (status, run_after, created_at);
CREATE INDEX jobs_by_lease ON jobs (status, lease_expires_at);
CREATE INDEX jobs_by_user ON jobs (user_id, created_at);
)sql"},
      {4, R"sql(
-- Uploads with their preview, story pages for export, personal API tokens, and failed log-ins
-- counted where every process sees them.
CREATE TABLE uploads (
  id TEXT COLLATE "C" PRIMARY KEY,
  user_id TEXT COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  storage_key TEXT NOT NULL,
  original_filename TEXT NOT NULL,
  content_type TEXT NOT NULL,
  size BIGINT NOT NULL,
  preview_json json NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX uploads_by_user ON uploads (user_id, created_at);
CREATE TABLE story_renders (
  story_id TEXT COLLATE "C" PRIMARY KEY REFERENCES stories (id) ON DELETE CASCADE,
  html TEXT NOT NULL,
  markdown TEXT NOT NULL
);
CREATE TABLE api_tokens (
  id TEXT COLLATE "C" PRIMARY KEY,
  user_id TEXT COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  last_used_at BIGINT NOT NULL
);
CREATE INDEX api_tokens_by_user ON api_tokens (user_id, created_at);
CREATE TABLE login_failures (
  subject TEXT NOT NULL,
  at BIGINT NOT NULL
);
CREATE INDEX login_failures_by_subject ON login_failures (subject, at);
)sql"},
      {5, R"sql(
CREATE INDEX stories_by_file ON stories (user_id, storage_key);
-- Every change of a job's state, stage, progress or attempt is announced on the channel
-- datastory_jobs with the job's id, on commit, to every process listening (the live progress
-- streams of all the servers). Heartbeats, which move only the lease, are not.
CREATE FUNCTION datastory_job_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('datastory_jobs', NEW.id);
  RETURN NULL;
END
$$;
CREATE TRIGGER jobs_changed AFTER UPDATE ON jobs FOR EACH ROW
  WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.current_stage IS DISTINCT FROM
        NEW.current_stage OR OLD.progress IS DISTINCT FROM NEW.progress OR OLD.attempts IS
        DISTINCT FROM NEW.attempts)
  EXECUTE FUNCTION datastory_job_changed();
)sql"},
      {6, R"sql(
ALTER TABLE story_renders ADD COLUMN charts_json json NOT NULL DEFAULT '[]';
)sql"},
  };
  return dialect == Dialect::kSqlite ? sqlite : postgres;
}

}  // namespace datastory::store
