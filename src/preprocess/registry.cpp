#include "shipml/core/names.hpp"
#include "transformers.hpp"

namespace shipml {

const std::vector<TransformerInfo>& transformers() {
  static const std::vector<TransformerInfo> all = [] {
    std::vector<TransformerInfo> out;
    for (auto family : {preprocess::scalers, preprocess::imputers, preprocess::encoders, preprocess::reshapers,
                        preprocess::selectors})
      for (auto& info : family()) out.push_back(std::move(info));
    return out;
  }();
  return all;
}

const TransformerInfo& find_transformer(const std::string& name) {
  return find_named(transformers(), name, "transformer");
}

}  // namespace shipml
