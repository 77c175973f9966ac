#include "jobs/models.h"

#include "settings.h"

namespace attnscope::ui {

ModelCache& sharedModels()
{
    // Never destroyed: jobs still running at exit may hold leases.
    static ModelCache* cache = new ModelCache(size_t(std::max(1, settings::get(settings::ModelsKept))));
    // The preference applies from the next model on (QSettings is reentrant: any thread may read).
    cache->setCapacity(size_t(std::max(1, settings::get(settings::ModelsKept))));
    return *cache;
}

void applyModelsKept() { sharedModels().setCapacity(size_t(std::max(1, settings::get(settings::ModelsKept)))); }

} // namespace attnscope::ui
