# aiohub_module(NAME [DEPS module...] [LIBS target...])
#
# Builds src/NAME/ (every .cpp below it) into the static library aiohub_NAME.
# Its headers are reachable as "NAME/..." only through build/include/NAME, a
# directory holding one symbolic link to src/NAME: a library's include path
# is its own staging directory plus those of the modules it links (DEPS,
# transitively), so including a module it does not build on is an error.
function(aiohub_module name)
  cmake_parse_arguments(M "" "" "DEPS;LIBS" ${ARGN})
  set(src ${PROJECT_SOURCE_DIR}/src/${name})
  set(stage ${PROJECT_BINARY_DIR}/include/${name})
  file(MAKE_DIRECTORY ${stage})
  if(NOT EXISTS ${stage}/${name})
    file(CREATE_LINK ${src} ${stage}/${name} SYMBOLIC)
  endif()
  file(GLOB_RECURSE sources CONFIGURE_DEPENDS ${src}/*.cpp)
  add_library(aiohub_${name} STATIC ${sources})
  target_include_directories(aiohub_${name} PUBLIC ${stage})
  list(TRANSFORM M_DEPS PREPEND aiohub_)
  target_link_libraries(aiohub_${name} PUBLIC ${M_DEPS} ${M_LIBS})
endfunction()
