// Test support: a helper process (a stub server, moto_server, a proxy) started with extra
// environment variables and stopped, by its PID, when the object goes.
#ifndef DATASTORY_TESTS_CHILD_PROCESS_H_
#define DATASTORY_TESTS_CHILD_PROCESS_H_

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace datastory::testing {

class ChildProcess {
 public:
  struct Options {
    std::string working_directory;  // empty: this process's
    std::string log_path;           // standard output and error appended here, if set
    bool capture_stdout = false;    // read with ReadLine (standard error then goes to ours)
  };

  // Runs argv[0], found on PATH. With `capture_stdout` its standard output can be read with
  // ReadLine; otherwise it goes, with standard error, to /dev/null.
  ChildProcess(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env,
               bool capture_stdout)
      : ChildProcess(argv, extra_env, Options{"", "", capture_stdout}) {}

  ChildProcess(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env,
               const Options& options) {
    int out[2] = {-1, -1};
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    if (options.capture_stdout && pipe(out) == 0) {
      posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
      posix_spawn_file_actions_addclose(&actions, out[0]);
    } else {
      const char* sink = options.log_path.empty() ? "/dev/null" : options.log_path.c_str();
      const int flags = O_WRONLY | O_CREAT | O_APPEND;
      posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, sink, flags, 0644);
      posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    }
    if (!options.working_directory.empty()) {
      posix_spawn_file_actions_addchdir_np(&actions, options.working_directory.c_str());
    }
    std::vector<std::string> env;
    for (char** e = environ; *e; ++e) env.emplace_back(*e);
    env.insert(env.end(), extra_env.begin(), extra_env.end());
    std::vector<char*> envp, args;
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    std::vector<std::string> argv_copy = argv;
    for (auto& a : argv_copy) args.push_back(a.data());
    args.push_back(nullptr);
    if (posix_spawnp(&pid_, args[0], &actions, nullptr, args.data(), envp.data()) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
    if (out[1] >= 0) close(out[1]);
    if (out[0] >= 0) stdout_ = fdopen(out[0], "r");
  }
  ~ChildProcess() {
    if (stdout_) fclose(stdout_);
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  bool started() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  // The next line of its standard output, without the newline; "" at the end.
  std::string ReadLine() {
    char line[512] = {0};
    if (!stdout_ || !fgets(line, sizeof line, stdout_)) return "";
    std::string s(line);
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
    return s;
  }
  // Sends `signal` and waits up to `timeout` for the process to end: its exit code, 128 + the
  // signal that ended it, or -1 when it is still running (it is then killed).
  int Stop(int signal, std::chrono::milliseconds timeout) {
    if (pid_ <= 0) return -1;
    kill(pid_, signal);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    int status = 0;
    while (waitpid(pid_, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        kill(pid_, SIGKILL);
        waitpid(pid_, &status, 0);
        pid_ = -1;
        return -1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

 private:
  pid_t pid_ = -1;
  FILE* stdout_ = nullptr;
};

// A loopback port free at the time of asking.
inline int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof addr;
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

// Whether something accepts connections on 127.0.0.1:`port` within `timeout`.
inline bool WaitForPort(int port, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    const bool up = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    close(fd);
    if (up) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

}  // namespace datastory::testing

#endif  // DATASTORY_TESTS_CHILD_PROCESS_H_
