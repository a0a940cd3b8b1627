#pragma once
// Movie titles for the synthetic dataset, shaped like MovieLens titles so that every reader and
// writer meets the hard cases: trailing articles ("Ring, The (1998)"), commas, double quotes,
// accented Latin-1 letters ("Amélie") and a few characters outside Latin-1 ("Łódź").

#include <string>

#include "core/data/DeterministicRng.h"

namespace recscope {

// "Name (YYYY)", UTF-8; consumes a few draws of rng. Never contains '|', "::", tabs or
// newlines.
std::string makeSyntheticTitle(DeterministicRng& rng, int year);

}  // namespace recscope
