# Installing the library (`cmake --install build [--prefix DIR]`): libzcnas.a and libzcnas.so, the
# public headers (include/zcnas/) and a pkg-config file, so that programs build against it with
# `pkg-config --cflags --libs zcnas` (examples/). The shared library is the static one linked whole,
# exporting only the public zc_* symbols (cmake/zcnas.map): the library's internal zci_* helpers stay
# private, as SQLite's amalgamation keeps its own.
include(GNUInstallDirs)
set_target_properties(zcnas PROPERTIES POSITION_INDEPENDENT_CODE ON)
# PIC code may call its own global functions directly, as the executable's code did before.
target_compile_options(zcnas PRIVATE $<$<C_COMPILER_ID:GNU,Clang>:-fno-semantic-interposition>)
file(WRITE ${CMAKE_CURRENT_BINARY_DIR}/generated/shared_stub.c "/* libzcnas.so: every object of libzcnas.a */\n")
add_library(zcnas_shared SHARED ${CMAKE_CURRENT_BINARY_DIR}/generated/shared_stub.c)
target_link_libraries(zcnas_shared PRIVATE "$<LINK_LIBRARY:WHOLE_ARCHIVE,zcnas>")
target_link_options(zcnas_shared PRIVATE "-Wl,--version-script=${CMAKE_CURRENT_SOURCE_DIR}/cmake/zcnas.map")
set_target_properties(zcnas_shared PROPERTIES OUTPUT_NAME zcnas VERSION ${PROJECT_VERSION}
                      SOVERSION ${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR}
                      LINK_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/cmake/zcnas.map)

# What a program linked against the static library needs besides it (pkg-config --static).
set(ZCNAS_PC_PRIVATE "")
if(TARGET JPEG::JPEG)
  string(APPEND ZCNAS_PC_PRIVATE " -ljpeg")
endif()
if(TARGET PNG::PNG)
  string(APPEND ZCNAS_PC_PRIVATE " -lpng")
endif()
if(ZCNAS_DNNL_ENABLED)
  string(APPEND ZCNAS_PC_PRIVATE " -ldnnl -lgomp")
endif()
if(ZCNAS_ONNX_ENABLED)
  string(APPEND ZCNAS_PC_PRIVATE " -lprotobuf-c")
endif()
if(ZCNAS_MPI)
  string(APPEND ZCNAS_PC_PRIVATE " -lmpi")
endif()
string(APPEND ZCNAS_PC_PRIVATE " -lpthread -lm")
# The file finds the prefix from where it lies (pkg-config's ${pcfiledir}), so that
# `cmake --install build --prefix DIR` gives a working file whatever prefix was configured.
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(ZCNAS_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
else()
  file(RELATIVE_PATH ZCNAS_PC_UP "/p/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/p")
  string(REGEX REPLACE "/$" "" ZCNAS_PC_UP "${ZCNAS_PC_UP}")
  set(ZCNAS_PC_PREFIX "\${pcfiledir}/${ZCNAS_PC_UP}")
endif()
configure_file(${CMAKE_CURRENT_SOURCE_DIR}/cmake/zcnas.pc.in ${CMAKE_CURRENT_BINARY_DIR}/zcnas.pc @ONLY)

install(TARGETS zcnas zcnas_shared
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY include/zcnas DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} FILES_MATCHING PATTERN "*.h")
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/zcnas.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
install(TARGETS zcnas_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
