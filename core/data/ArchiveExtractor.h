#pragma once
// Unpacks a MovieLens .zip into a folder, for the in-app download: the app then reads the
// release from plain files (memory-mapped) instead of inflating it on every open.
//
// All or nothing: entries are written under "<destination>.partial" and that folder is renamed
// to <destination> only when every entry has been written and its CRC checked, so a crash, a
// cancel or a damaged archive never leaves a folder that looks complete. A single top-level
// folder shared by every entry ("ml-100k/u.data") is dropped, so <destination>/u.data results.
//
// Refused: entries whose name is absolute, contains "..", a backslash or a NUL, or is deeper
// than one folder (the official layout); entries over DataSource::kMaxEntryBytes; an existing
// <destination>. Runs on the caller's thread; progress is the fraction of uncompressed bytes.

#include <string>

#include "core/common/Progress.h"
#include "core/common/Status.h"

namespace recscope {

// Errors name the archive (and the entry); "cancelled" after a cancel. Nothing is left behind
// on error.
Status extractArchive(const std::string& zipPath, const std::string& destination,
                      const ProgressFn& progress = {}, const CancelToken* cancel = nullptr);

}  // namespace recscope
