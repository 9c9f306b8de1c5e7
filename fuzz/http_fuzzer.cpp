#include <unistd.h>

#include <filesystem>
#include <string_view>

#include "harnesses.hpp"
#include "shipml/serve/inference_service.hpp"
#include "shipml/shipml.hpp"

namespace shipml::fuzz {
namespace {

// A served model with numeric and categorical inputs (x1, x2, color), made once.
serve::InferenceService& service() {
  static serve::ModelRepository models;
  static serve::InferenceService* instance = [] {
    const Frame f = parse_csv("x1,x2,color,y\n1,2,red,a\n2,,blue,b\n3,1,red,a\n4,0,,b\n5,3,green,a\n6,2,blue,b\n");
    Model m("logistic");
    m.fit(f.without("y"), f.column("y"));
    const auto path =
        std::filesystem::temp_directory_path() / ("shipml-fuzz-" + std::to_string(::getpid()) + ".shipml");
    m.save(path.string());
    models.add(serve::ModelSource::parse("m=" + path.string()));
    std::filesystem::remove(path);
    return new serve::InferenceService(models, {.access_log = false});
  }();
  return *instance;
}

}  // namespace

int http(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  serve::HttpLimits limits;
  limits.max_body_bytes = 1 << 20;
  std::size_t pos = 0;
  // Every request in the buffer, as pipelined requests on one connection would be.
  while (pos < bytes.size()) {
    serve::HttpRequest request;
    std::string chunked;
    const auto r = serve::parse_request(bytes.substr(pos), limits, request, chunked);
    if (r.state != serve::ParseState::complete) break;
    if (r.consumed == 0 || r.consumed > bytes.size() - pos) __builtin_trap();
    serve::HttpResponse response;
    service().handle(request, serve::Peer{"fuzz", 0}, response);
    // Bad input is a 4xx; a 500 means something escaped that should have been a clear error.
    if (response.status < 200 || response.status >= 500) __builtin_trap();
    pos += r.consumed;
  }
  return 0;
}

}  // namespace shipml::fuzz
