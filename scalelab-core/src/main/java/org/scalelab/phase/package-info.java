/**
 * Capability phases: whether two capabilities fight or cooperate inside models and across sizes.
 * Inside a model: {@link org.scalelab.phase.LabelledPoints} (two classes of prompts pooled at a hook)
 * → {@link org.scalelab.phase.CapabilityDirections} (difference of means, PCA of paired differences,
 * {@link org.scalelab.phase.LogisticProbe}; held-out accuracy and stability).
 */
package org.scalelab.phase;
