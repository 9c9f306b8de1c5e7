#include "track/os_user.hpp"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>

namespace shipml {

// The password database first: $USER is whatever the environment says, and
// containers and sudo often leave it unset or stale.
std::string os_user() {
  if (const passwd* pw = ::getpwuid(::getuid())) return pw->pw_name;
  const char* env = std::getenv("USER");
  return env ? env : "";
}

}  // namespace shipml
