#include "io/yaml_reader.hpp"

#include "shipml/io/file.hpp"

namespace shipml {

YAML::Node load_yaml(const std::string& path) {
  const std::string text = read_file(path);
  try {
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw UsageError(path + ": line " + std::to_string(e.mark.line + 1) + ", column " +
                     std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
}

}  // namespace shipml
