# The Open Inference Protocol v2 over gRPC (`shipml serve --grpc-port`):
# protoc and grpc_cpp_plugin generate the C++ messages and service from
# proto/grpc_predict_v2.proto at build time, into shipml_grpc_protocol (also
# what the tests' and benchmarks' clients link); the service itself is the
# layer serve_grpc, above serve. Only the CLI links gRPC: the runtime and full
# libraries do not.
find_package(Protobuf REQUIRED)
find_package(gRPC CONFIG REQUIRED)

set(SHIPML_PROTO ${CMAKE_CURRENT_SOURCE_DIR}/proto/grpc_predict_v2.proto)
set(SHIPML_PROTO_OUT ${CMAKE_CURRENT_BINARY_DIR}/generated/proto)
set(SHIPML_PROTO_SOURCES ${SHIPML_PROTO_OUT}/grpc_predict_v2.pb.cc ${SHIPML_PROTO_OUT}/grpc_predict_v2.grpc.pb.cc)
set(SHIPML_PROTO_HEADERS ${SHIPML_PROTO_OUT}/grpc_predict_v2.pb.h ${SHIPML_PROTO_OUT}/grpc_predict_v2.grpc.pb.h)
file(MAKE_DIRECTORY ${SHIPML_PROTO_OUT})
add_custom_command(
  OUTPUT ${SHIPML_PROTO_SOURCES} ${SHIPML_PROTO_HEADERS}
  COMMAND protobuf::protoc --proto_path=${CMAKE_CURRENT_SOURCE_DIR}/proto --cpp_out=${SHIPML_PROTO_OUT}
    --grpc_out=${SHIPML_PROTO_OUT} --plugin=protoc-gen-grpc=$<TARGET_FILE:gRPC::grpc_cpp_plugin> ${SHIPML_PROTO}
  DEPENDS ${SHIPML_PROTO} protobuf::protoc gRPC::grpc_cpp_plugin
  COMMENT "Generating the gRPC service from proto/grpc_predict_v2.proto"
  VERBATIM)

add_library(shipml_grpc_protocol STATIC ${SHIPML_PROTO_SOURCES})
set_target_properties(shipml_grpc_protocol PROPERTIES POSITION_INDEPENDENT_CODE ON)
# Generated code: its warnings are not ours to fix.
target_compile_options(shipml_grpc_protocol PRIVATE -w)
target_include_directories(shipml_grpc_protocol SYSTEM PUBLIC ${SHIPML_PROTO_OUT})
target_link_libraries(shipml_grpc_protocol PUBLIC gRPC::grpc++ protobuf::libprotobuf)

shipml_layer(serve_grpc DIRS serve_grpc LINK PUBLIC shipml_serve PRIVATE shipml_grpc_protocol simdjson::simdjson)
