#pragma once
// How a request asks for explanations, read the same way by both protocols:
// the sampling of knn's and gaussian_nb's contributions (explain_samples,
// explain_seed), from the Open Inference Protocol's request `parameters` or
// MLflow's `params`. Bounded, because the server explains on the thread that
// read the request, and a sampled explanation's time grows with its samples.
#include <cstdint>
#include <string_view>

#include "request_table.hpp"
#include "shipml/model/contributions.hpp"

namespace shipml::serve {

/// The most orders of the columns a request may have sampled per row. Time grows
/// with them: one row of a knn model of churn.csv (3,333 rows) takes 0.45 s at
/// the default 256, 15 s at 10,000 and 140 s at 100,000 (release build), all
/// that time on the event loop that read the request. 10,000 narrows the error
/// bound to a sixth of the default's; `shipml explain --samples` goes further offline.
inline constexpr std::uint64_t kMaxExplainSamples = 10000;
/// The fewest: the sampler walks at least two orders from each background row anyway.
inline constexpr std::uint64_t kMinExplainSamples = 2;

/// explain_samples and explain_seed from `parameters` (defaults where absent).
/// `where` names the object in errors ("parameters", "params"). A 400 naming the
/// parameter when it is not a whole number, or explain_samples is out of bounds.
ExplainOptions explain_options(const simdjson::dom::object& parameters, std::string_view where);

}  // namespace shipml::serve
