// COnnxRuntime is header-only (the library is dlopen'ed); SwiftPM wants one source file.
#include "COnnxRuntime.h"
