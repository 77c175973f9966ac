#pragma once
// ModelCache: the one place loaded models (of every kind) and loaded data sets are kept.
// Least recently used entries go first once more than `capacity` are held (the
// "models kept loaded" preference). Thread-safe: any thread may ask; a model is leased
// exclusively while a pipeline uses it (the engine's models are thread-compatible, not
// thread-safe), and an entry evicted while leased lives until its lease ends.
// Plain C++ header (no torch, OpenCV or Qt types).
#include "attnscope/status.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <typeinfo>
#include <vector>

namespace attnscope {

class ModelCache {
public:
    /// An exclusive use of a cached object: holds it alive and locked until destroyed.
    template <typename T> class Lease {
    public:
        Lease() = default;
        T* get() const { return object_.get(); }
        T* operator->() const { return object_.get(); }
        T& operator*() const { return *object_; }
        explicit operator bool() const { return bool(object_); }
        /// True when this lease loaded the object (it was not cached).
        bool loadedNow() const { return loadedNow_; }

    private:
        friend class ModelCache;
        std::shared_ptr<T> object_;
        std::shared_ptr<std::mutex> use_;
        std::unique_lock<std::mutex> lock_;
        bool loadedNow_ = false;
    };

    explicit ModelCache(size_t capacity = 3) : capacity_(std::max<size_t>(1, capacity)) {}
    ModelCache(const ModelCache&) = delete;
    ModelCache& operator=(const ModelCache&) = delete;

    /// How many entries stay loaded (≥ 1); the least recently used go first.
    void setCapacity(size_t capacity)
    {
        std::lock_guard<std::mutex> g(mutex_);
        capacity_ = std::max<size_t>(1, capacity);
        evict(nullptr);
    }
    size_t capacity() const
    {
        std::lock_guard<std::mutex> g(mutex_);
        return capacity_;
    }

    /// The object of type T loaded from `key` (T must have `Status load(const std::string&)`),
    /// loading it on first use; an empty lease with `st` set on failure (nothing is cached
    /// then). Blocks while another thread holds the same object.
    template <typename T> Lease<T> acquire(const std::string& key, Status& st)
    {
        return acquireWith<T>(key, st, [&key](T& object) { return object.load(key); });
    }

    /// As acquire, with a custom loader `Status load(T&)` (data sets, objects without load()).
    /// `counts` false: the entry (e.g. a test set every model reads) does not count against
    /// the capacity and is never evicted.
    template <typename T, typename Loader>
    Lease<T> acquireWith(const std::string& key, Status& st, Loader load, bool counts = true)
    {
        const std::string id = std::string(typeid(T).name()) + '\n' + key;
        std::shared_ptr<std::mutex> use;
        {
            std::lock_guard<std::mutex> g(mutex_);
            auto& e = entries_[id];
            if (!e.use) e.use = std::make_shared<std::mutex>();
            e.lastUse = ++tick_;
            use = e.use;
        }
        Lease<T> lease;
        lease.use_ = use;
        lease.lock_ = std::unique_lock<std::mutex>(*use);  // one user of this entry at a time
        std::lock_guard<std::mutex> g(mutex_);
        auto it = entries_.find(id);
        if (it != entries_.end() && it->second.object) {
            lease.object_ = std::static_pointer_cast<T>(it->second.object);
            st = Status::success();
            return lease;
        }
        // Load outside the map lock would be nicer, but loads are rare; the entry's own
        // lock keeps a second loader of the same key waiting instead of loading twice.
        mutex_.unlock();
        auto object = std::make_shared<T>();
        st = load(*object);
        mutex_.lock();
        if (!st) {
            entries_.erase(id);
            lease.lock_.unlock();
            return Lease<T>{};
        }
        auto& e = entries_[id];
        if (!e.use) e.use = use;
        e.object = object;
        e.key = key;
        e.counts = counts;
        e.lastUse = ++tick_;
        lease.object_ = object;
        lease.loadedNow_ = true;
        evict(&e);
        return lease;
    }

    /// Keys of the loaded entries, most recently used first.
    std::vector<std::string> keys() const
    {
        std::lock_guard<std::mutex> g(mutex_);
        std::vector<std::pair<uint64_t, std::string>> v;
        for (const auto& [id, e] : entries_)
            if (e.object) v.emplace_back(e.lastUse, e.key);
        std::sort(v.rbegin(), v.rend());
        std::vector<std::string> out;
        for (auto& p : v) out.push_back(std::move(p.second));
        return out;
    }
    /// Loaded entries that count against the capacity (models; not shared data sets).
    size_t size() const
    {
        std::lock_guard<std::mutex> g(mutex_);
        size_t n = 0;
        for (const auto& kv : entries_) n += kv.second.object && kv.second.counts ? 1 : 0;
        return n;
    }
    void clear()
    {
        std::lock_guard<std::mutex> g(mutex_);
        entries_.clear();
    }

private:
    struct Entry {
        std::shared_ptr<void> object;
        std::shared_ptr<std::mutex> use;
        std::string key;
        uint64_t lastUse = 0;
        bool counts = true;
    };
    /// Drops least recently used loaded entries beyond the capacity (never `keep`). Caller
    /// holds mutex_.
    void evict(const Entry* keep)
    {
        for (;;) {
            size_t loaded = 0;
            auto oldest = entries_.end();
            for (auto it = entries_.begin(); it != entries_.end(); ++it) {
                if (!it->second.object || !it->second.counts) continue;
                ++loaded;
                if (&it->second != keep && (oldest == entries_.end() || it->second.lastUse < oldest->second.lastUse))
                    oldest = it;
            }
            if (loaded <= capacity_ || oldest == entries_.end()) return;
            entries_.erase(oldest);  // a lease in use keeps its object and lock alive
        }
    }

    mutable std::mutex mutex_;
    std::map<std::string, Entry> entries_;
    size_t capacity_;
    uint64_t tick_ = 0;
};

} // namespace attnscope
