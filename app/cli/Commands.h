#pragma once
// One function per recscope-cli command; main.cpp dispatches on the first argument.
// Each takes the arguments after the command name and returns the process exit code.
// Errors go to stderr; normal output (text or --json) to stdout.

#include <string>
#include <vector>

namespace recscope::cli {

using Args = std::vector<std::string>;

int cmdInfo(const Args& args);
int cmdSplit(const Args& args);
int cmdGenerate(const Args& args);
int cmdRun(const Args& args);
int cmdRuns(const Args& args);
int cmdImport(const Args& args);
int cmdExport(const Args& args);
int cmdReproduce(const Args& args);
int cmdLaunch(const Args& args);
int cmdSweep(const Args& args);
int cmdRecommend(const Args& args);
int cmdInspect(const Args& args);
int cmdCompare(const Args& args);

}  // namespace recscope::cli
