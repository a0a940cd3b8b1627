#pragma once
// Vets a LibTorch archive (what torch::serialize::OutputArchive writes: a zip holding pickles,
// TorchScript code and raw tensor records) before LibTorch reads it. LibTorch trusts the
// numbers inside: a pickle whose memo index or string length is huge makes its unpickler
// reserve gigabytes (fuzz_modelfile's first finding, a 28 GB allocation from one LONG_BINPUT),
// and a zip entry can claim any size. A model file is untrusted input (issue 18), so the
// neural models call this first and refuse what it refuses:
//   - not a zip, more than 4096 entries, a name with "..", a backslash or a leading '/';
//   - a first entry outside a folder, or no "<folder>/version" holding a format version 1-10;
//   - an entry that inflates to more than 64 times its stored size (or stored entries larger
//     than the file);
//   - in every .pkl entry: an opcode outside the pickle protocol (STACK_GLOBAL included), a
//     length that runs past the entry, a memo index that skips ahead of the memo, a fetch of a
//     memo slot never written, a class name that is not a dotted name, or no STOP;
//   - a TorchScript source (.py) that is not the plain module declaration LibTorch writes for a
//     C++ module (class header, parameter and buffer lists, typed attributes): LibTorch
//     compiles these on load and crashes on some damaged ones (fuzz_modelfile, a SEGV in
//     ScriptTypeParser::parseClassConstant).
// Needs no LibTorch: the format is read with libzip.

#include <string>

#include "core/common/Status.h"

namespace recscope {

Status checkTorchArchive(const std::string& path);

// The pickle walk alone, on the bytes of one pickle (for tests and fuzzing). Errors say which
// opcode at which offset.
Status checkPickle(const std::string& bytes);

}  // namespace recscope
