#pragma once
// Who is at the keyboard, as run records and the registry's history name them.
#include <string>

namespace shipml {

/// The OS user running this process (the password database's name for the
/// real uid, else $USER); "" when neither says.
std::string os_user();

}  // namespace shipml
