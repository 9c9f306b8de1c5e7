#pragma once
/// \file
/// SHIPML_API marks what the shared libraries export: the public API a program
/// calls. Everything else is built with hidden visibility (-fvisibility=hidden),
/// so it stays inside the library and out of the way of other code.

/// \def SHIPML_API
/// Gives a declaration default visibility, so the shared libraries export it.
#if defined(__GNUC__)
#define SHIPML_API __attribute__((visibility("default")))
#else
#define SHIPML_API
#endif
