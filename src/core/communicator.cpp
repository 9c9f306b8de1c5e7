#include "shipml/core/communicator.hpp"

#include <mutex>

namespace shipml {
namespace {

std::mutex world_mutex;
std::shared_ptr<Communicator> the_world = std::make_shared<SingleProcess>();

}  // namespace

void Communicator::agree(const std::string& error) {
  if (size() == 1) {
    if (!error.empty()) throw DistributedError(error);
    return;
  }
  const std::vector<std::string> errors = all_gather(error);
  for (std::size_t r = 0; r < errors.size(); ++r)
    if (!errors[r].empty())
      throw DistributedError("rank " + std::to_string(r) + " of " + std::to_string(size()) + ": " + errors[r]);
}

void Communicator::agree_on(const std::function<void()>& work) {
  if (size() == 1) return work();
  std::string error;
  try {
    work();
  } catch (const std::exception& e) {
    error = e.what();
    if (error.empty()) error = "failed";
  }
  agree(error);
}

Communicator& world() {
  std::lock_guard lock(world_mutex);
  return *the_world;
}

void set_world(std::shared_ptr<Communicator> ranks) {
  std::lock_guard lock(world_mutex);
  the_world = ranks ? std::move(ranks) : std::make_shared<SingleProcess>();
}

}  // namespace shipml
