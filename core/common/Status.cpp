#include "core/common/Status.h"

namespace recscope {

std::string Error::toString() const {
    if (file.empty())
        return message;
    if (line > 0)
        return file + ":" + std::to_string(line) + ": " + message;
    return file + ": " + message;
}

}  // namespace recscope
