#pragma once
// SHIPML_API marks what the shared libraries export: the public API a program
// calls. Everything else is built with hidden visibility (-fvisibility=hidden),
// so it stays inside the library and out of the way of other code.
#if defined(__GNUC__)
#define SHIPML_API __attribute__((visibility("default")))
#else
#define SHIPML_API
#endif
