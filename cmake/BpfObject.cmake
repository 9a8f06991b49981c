# xlb_bpf_object(NAME SOURCE): compile SOURCE with clang -target bpf and
# generate a libbpf skeleton (struct NAME_bpf) that embeds the object. Defines the interface
# library NAME_skel; link it to include NAME.skel.h. No .o is needed at run
# time: the ELF lives inside the binary.
find_program(BPF_CLANG NAMES clang clang-14 REQUIRED)
find_program(BPFTOOL NAMES bpftool PATHS /usr/sbin /sbin REQUIRED)
execute_process(COMMAND uname -m OUTPUT_VARIABLE XLB_ARCH
                OUTPUT_STRIP_TRAILING_WHITESPACE)
string(REPLACE "x86_64" "x86" XLB_BPF_ARCH "${XLB_ARCH}")
string(REPLACE "aarch64" "arm64" XLB_BPF_ARCH "${XLB_BPF_ARCH}")

function(xlb_bpf_object name source)
  set(obj ${CMAKE_CURRENT_BINARY_DIR}/${name}.bpf.o)
  set(skel ${CMAKE_CURRENT_BINARY_DIR}/${name}.skel.h)
  file(GLOB bpf_headers ${CMAKE_SOURCE_DIR}/bpf/*.h)
  add_custom_command(
    OUTPUT ${obj}
    COMMAND ${BPF_CLANG} -g -O2 -target bpf -D__TARGET_ARCH_${XLB_BPF_ARCH}
            -Wall -Werror -I${CMAKE_SOURCE_DIR}/bpf
            -I/usr/include/${XLB_ARCH}-linux-gnu
            -c ${CMAKE_CURRENT_SOURCE_DIR}/${source} -o ${obj}
    DEPENDS ${source} ${bpf_headers}
    COMMENT "BPF ${name}"
    VERBATIM)
  add_custom_command(
    OUTPUT ${skel}
    COMMAND ${BPFTOOL} gen skeleton ${obj} name ${name}_bpf > ${skel}
    DEPENDS ${obj}
    COMMENT "BPF skeleton ${name}.skel.h"
    VERBATIM)
  add_custom_target(${name}_skel_gen DEPENDS ${skel})
  add_library(${name}_skel INTERFACE)
  add_dependencies(${name}_skel ${name}_skel_gen)
  target_include_directories(${name}_skel INTERFACE ${CMAKE_CURRENT_BINARY_DIR}
                                                     ${CMAKE_SOURCE_DIR}/bpf)
  target_link_libraries(${name}_skel INTERFACE PkgConfig::LIBBPF)
endfunction()
