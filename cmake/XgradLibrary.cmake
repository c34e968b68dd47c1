# xgrad_library(COMPONENT SOURCES ... [PUBLIC_LINK ...] [PRIVATE_LINK ...])
# One folder's library: target xgrad_COMPONENT with the alias xgrad::COMPONENT,
# its include/ folder public, warnings for its own sources only, and its
# headers and archive installed into the exported package.
function(xgrad_library component)
  cmake_parse_arguments(ARG "" "" "SOURCES;PUBLIC_LINK;PRIVATE_LINK" ${ARGN})
  set(target xgrad_${component})
  add_library(${target} ${ARG_SOURCES})
  add_library(xgrad::${component} ALIAS ${target})
  target_include_directories(${target} PUBLIC
    $<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}/include>
    $<INSTALL_INTERFACE:include>)
  target_link_libraries(${target} PUBLIC ${ARG_PUBLIC_LINK} PRIVATE ${ARG_PRIVATE_LINK} $<BUILD_INTERFACE:xgrad_warnings>)
  set_target_properties(${target} PROPERTIES EXPORT_NAME ${component})
  install(TARGETS ${target} EXPORT xgradTargets ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
  install(DIRECTORY include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
endfunction()
