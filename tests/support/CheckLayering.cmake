# cmake -DARCHIVE=librecscope_core.a -DNM=nm -P CheckLayering.cmake
# Fails when the archive needs a symbol of LibTorch (at::, c10::, torch::, caffe2::) or of Qt
# (Q-classes, qt_ functions): recscope_core must build and link without either.
execute_process(COMMAND ${NM} --demangle --undefined-only ${ARCHIVE}
                OUTPUT_VARIABLE undefined RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${NM} failed on ${ARCHIVE}")
endif()
string(REGEX MATCHALL "[^\n]*U (at|c10|torch|caffe2)::[^\n]*" torch "${undefined}")
string(REGEX MATCHALL "[^\n]*U (Q[A-Z][A-Za-z]*::|qt_)[^\n]*" qt "${undefined}")
list(LENGTH torch torchCount)
list(LENGTH qt qtCount)
string(REGEX MATCHALL "\n[^\n]*U " all "\n${undefined}")
list(LENGTH all allCount)
message(STATUS "${ARCHIVE}: ${allCount} undefined symbols, ${torchCount} from LibTorch, "
               "${qtCount} from Qt")
if(torchCount GREATER 0 OR qtCount GREATER 0)
  list(SUBLIST torch 0 10 torchFirst)
  list(SUBLIST qt 0 10 qtFirst)
  message(FATAL_ERROR "recscope_core calls into LibTorch or Qt:\n${torchFirst}\n${qtFirst}")
endif()
