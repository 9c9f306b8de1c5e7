// Built into every executable of a sanitizer build (never into a release).
// fontconfig, which Cairo asks for fonts, keeps its configuration in globals it
// frees only in FcFini(); LeakSanitizer reports that cache at exit as a leak.
// It is the library's, it is bounded, and it is not ours to free.
extern "C" const char* __lsan_default_suppressions() { return "leak:libfontconfig.so\n"; }
