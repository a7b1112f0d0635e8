package io.tidemark.appliance.it;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * A volume as the admin API returns it (contract: {"name","sizeBytes","target","lun","url","path"}).
 *
 * @param target the target's IQN, or its short name (the contract allows either; see {@link #targetIqn})
 * @param naaId  the NAA designator as hex, when the API gives it (not in the contract)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
record Volume(String name, long sizeBytes, String target, int lun, String url, String path, String naaId) {

    /** The full target IQN: the API's value when it is one, else the prefix plus the short name. */
    String targetIqn(String iqnPrefix) {
        return target.contains(":") ? target : iqnPrefix + ":" + target;
    }
}
