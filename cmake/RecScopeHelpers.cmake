# recscope_warnings(target): the warning set every RecScope target compiles with.
function(recscope_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wno-unused-parameter)
endfunction()

# recscope_add_test(NAME SOURCES src... LIBS lib... [LABELS l...] [GUI])
# One Qt Test executable per tested class, registered with CTest. Tests find the real
# MovieLens files through RECSCOPE_SHARED_DATA (../shared/data/movielens beside the checkout).
set(RECSCOPE_SHARED_DATA "${PROJECT_SOURCE_DIR}/../shared/data/movielens" CACHE PATH
    "Folder with the MovieLens releases used by tests and benchmarks (never copied into the repo)")
# Per-test CTest limit in seconds; sanitizer builds (packaging/sanitize.sh) raise it, since
# instrumented training runs several times slower.
set(RECSCOPE_TEST_TIMEOUT 600 CACHE STRING "CTest timeout per test, in seconds")
function(recscope_add_test name)
  cmake_parse_arguments(T "GUI" "TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE Qt6::Test ${T_LIBS})
  target_compile_definitions(${name} PRIVATE
    RECSCOPE_SHARED_DATA="${RECSCOPE_SHARED_DATA}"
    RECSCOPE_BINARY_DIR="${PROJECT_BINARY_DIR}")
  recscope_warnings(${name})
  add_test(NAME ${name} COMMAND ${name})
  # Passive OpenMP waiting as the programs choose it themselves (core/common/ThreadPolicy.h),
  # set here so that the many recscope-cli calls of the tests need not re-execute.
  set(env "QT_QPA_PLATFORM=offscreen;OMP_WAIT_POLICY=passive")
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT ${RECSCOPE_TEST_TIMEOUT})
  endif()
  set_tests_properties(${name} PROPERTIES ENVIRONMENT "${env}" TIMEOUT ${T_TIMEOUT}
                       LABELS "${T_LABELS}")
endfunction()
