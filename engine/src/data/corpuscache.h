#pragma once
// The paired Bible corpus kept on disk (issue 28, item 16): loadBibleCorpus reads both SWORD
// modules whole and learns a lexicon to pair verses (7–8 s); the result for a set of splits is
// written once to the cache folder and read back in milliseconds. Internal engine header.
#include "attnscope/corpus.h"

#include <string>

namespace attnscope::corpuscache {

/// The cache file of `splits` for modules identified by `modules` (their names, versions and
/// data paths: a module upgrade makes a new key): <cache folder>/bible-<hash>.corpus.
std::string pathFor(const std::string& modules, const std::set<Split>& splits);
/// Reads a cache file written by write() for the same key; false (and `out` untouched) when it is
/// missing, of another format or key, or truncated.
bool read(const std::string& path, const std::string& key, Corpus& out);
/// Writes the corpus atomically (a failure leaves no file: the next run builds it again).
Status write(const std::string& path, const std::string& key, const Corpus& corpus);

} // namespace attnscope::corpuscache
