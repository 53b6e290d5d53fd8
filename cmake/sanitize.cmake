# Sanitizer builds, in a build directory of their own (never build/):
#   cmake -B build-asan -DAIOHUB_SANITIZE=address,undefined   (any compiler, GCC included)
#   cmake -B build-fuzz -DAIOHUB_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++-14
#     (make fuzz, make fuzz-smoke and make test-sanitize: ASan + UBSan + coverage)
# Included before any target is defined, so that every library, the binary and
# the tests are instrumented alike. A sanitizer finding fails the run: UBSan
# does not recover, ASan's leak checker stays on (the default on Linux).
set(AIOHUB_SANITIZE "" CACHE STRING "Comma-separated -fsanitize= list for the whole build (empty: none)")
option(AIOHUB_FUZZ "Build the libFuzzer targets (clang only): fuzz/" OFF)

set(aiohub_sanitize_list "${AIOHUB_SANITIZE}")
if(AIOHUB_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "AIOHUB_FUZZ needs clang (libFuzzer): -DCMAKE_CXX_COMPILER=clang++-14")
  endif()
  if(aiohub_sanitize_list STREQUAL "")
    set(aiohub_sanitize_list "address,undefined")
  endif()
  # Coverage instrumentation for every object; only the fuzz targets link
  # libFuzzer's main (-fsanitize=fuzzer, fuzz/CMakeLists.txt).
  add_compile_options(-fsanitize=fuzzer-no-link)
  add_compile_definitions(AIOHUB_FUZZING=1)
endif()

if(NOT aiohub_sanitize_list STREQUAL "")
  message(STATUS "aiohub: sanitizers ${aiohub_sanitize_list}")
  # -O1 with line tables (-g1): sanitizers' usual trade-off, and about half the
  # compile time of -O2 -g on this code base; asserts stay on (no NDEBUG).
  if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    set(CMAKE_CXX_FLAGS_RELWITHDEBINFO "-O1 -gline-tables-only")
  else()
    set(CMAKE_CXX_FLAGS_RELWITHDEBINFO "-O1 -g1")
  endif()
  add_compile_options(-fsanitize=${aiohub_sanitize_list} -fno-sanitize-recover=all
                      -fno-omit-frame-pointer)
  add_link_options(-fsanitize=${aiohub_sanitize_list} -fno-sanitize-recover=all)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang" AND aiohub_sanitize_list MATCHES "undefined")
    # Clang 14's -fsanitize=function (part of undefined) emits prologue data
    # that its assembler rejects in coroutines ("Cannot represent a
    # difference across sections"): every file with an awaitable fails.
    add_compile_options(-fno-sanitize=function)
  endif()
endif()
