package io.paretopipe.models;

import io.paretopipe.models.arch.AlexNet;
import io.paretopipe.models.arch.InceptionV3;
import io.paretopipe.models.arch.MobileNetV2;
import io.paretopipe.models.arch.ResNet;
import io.paretopipe.models.arch.Vgg16;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The built-in models by name. Thread-safe; definitions are built fresh on every call. */
public final class ModelCatalog {

    private static final Map<String, Architecture> BUILT_IN;

    static {
        Map<String, Architecture> m = new LinkedHashMap<>();
        for (Architecture a : List.of(
                ResNet.resnet18(), ResNet.resnet50(), new MobileNetV2(), new Vgg16(), new AlexNet(), new InceptionV3())) {
            m.put(a.name(), a);
        }
        BUILT_IN = Collections.unmodifiableMap(m);
    }

    private ModelCatalog() {}

    /** Names of the built-in models, in catalog order. */
    public static List<String> names() {
        return List.copyOf(BUILT_IN.keySet());
    }

    /**
     * The architecture called {@code name}.
     *
     * @throws IllegalArgumentException listing the known names if there is none
     */
    public static Architecture architecture(String name) {
        Architecture a = BUILT_IN.get(name);
        if (a == null) {
            throw new IllegalArgumentException(
                    "unknown model '" + name + "': known models are " + String.join(", ", names()));
        }
        return a;
    }

    /**
     * Builds {@code name} for the given options (input defaulted), checking that the input fits.
     *
     * @throws IllegalArgumentException for an unknown model or an input the architecture cannot take
     */
    public static ModelDefinition define(String name, ModelOptions options) {
        Architecture a = architecture(name);
        ModelDefinition definition = a.define(options.withDefaultInput(a.defaultInput()));
        CostWalker.costs(definition);
        return definition;
    }

    /** {@link #define(String, ModelOptions)} with default options. */
    public static ModelDefinition define(String name) {
        return define(name, ModelOptions.builder().build());
    }
}
