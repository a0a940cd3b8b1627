#pragma once
// The exception every data-parallel operation throws (rendezvous, collectives): its message
// is meant for the user as it stands, e.g. "rank 0: lost rank 1 during allreduce: ...". Models
// catch it with every other std::exception in fit() and return it as an error value.

#include <stdexcept>
#include <string>

namespace recscope {

class DistError : public std::runtime_error {
public:
    explicit DistError(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace recscope
