package org.torchcl.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class PciAddressTest {

    @Test
    void addressesPrintAsLinuxSysfsNamesThem() {
        assertEquals("0000:65:00.0", OpenClPlatforms.pciAddress(0, 0x65, 0, 0));
        assertEquals("0001:0a:1f.7", OpenClPlatforms.pciAddress(1, 10, 31, 7));
    }
}
