// Built into every executable of a sanitizer build (never into a release).
// fontconfig, which Cairo asks for fonts, keeps its configuration in globals it
// frees only in FcFini(); LeakSanitizer reports that cache at exit as a leak.
// OpenMPI (loaded by `mpirun shipml` through libshipml_mpi.so) keeps its
// component registry and PMIx state past MPI_Finalize the same way. They are
// the libraries', they are bounded, and they are not ours to free.
extern "C" const char* __lsan_default_suppressions() {
  return "leak:libfontconfig.so\n"
         "leak:libmpi.so\n"
         "leak:libopen-pal.so\n"
         "leak:libopen-rte.so\n"
         "leak:libpmix.so\n"
         "leak:mca_\n";
}
