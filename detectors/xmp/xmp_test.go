package xmp

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	fixtures "github.com/aiaudit/aiaudit/detectors/testfixtures"
)

const dst = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"

func wrap(desc string) []byte {
	return []byte(`<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">` +
		desc + `</rdf:RDF></x:xmpmeta><?xpacket end="w"?>`)
}

func TestThreeSerialisations(t *testing.T) {
	for name, desc := range map[string]string{
		"attribute": `<rdf:Description xmlns:ext="http://iptc.org/std/Iptc4xmpExt/2008-02-29/" ext:DigitalSourceType="` + dst + `"/>`,
		"element":   `<rdf:Description xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/"><Iptc4xmpExt:DigitalSourceType> ` + dst + ` </Iptc4xmpExt:DigitalSourceType></rdf:Description>`,
		"resource":  `<rdf:Description xmlns:I="http://iptc.org/std/Iptc4xmpExt/2008-02-29/"><I:DigitalSourceType rdf:resource="` + dst + `"/></rdf:Description>`,
	} {
		info, err := Parse(wrap(desc))
		require.NoError(t, err, name)
		assert.Equal(t, []string{dst}, info.DigitalSourceTypes, name)
	}
}

func TestPrefixDoesNotMatterNamespaceDoes(t *testing.T) {
	info, err := Parse(wrap(`<rdf:Description xmlns:Iptc4xmpExt="http://example.com/not-iptc/" Iptc4xmpExt:DigitalSourceType="` + dst + `"/>`))
	require.NoError(t, err)
	assert.Empty(t, info.DigitalSourceTypes)
}

func TestFieldsAndLists(t *testing.T) {
	info, err := Parse(wrap(`<rdf:Description
	  xmlns:plus="http://ns.useplus.org/ldf/xmp/1.0/" xmlns:xmp="http://ns.adobe.com/xap/1.0/"
	  xmlns:dcterms="http://purl.org/dc/terms/" xmlns:ext="http://iptc.org/std/Iptc4xmpExt/2008-02-29/"
	  xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"
	  xmp:CreatorTool="Tool 1" dcterms:provenance="self#jumbf=/c2pa/x/c2pa.claim" photoshop:Credit="Made with AI"
	  ext:AISystemUsed="Imagen" ext:AISystemVersionUsed="3">
	  <plus:DataMining rdf:resource="http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED-AIMLTRAINING"/>
	  <ext:Contributor><rdf:Bag><rdf:li rdf:parseType="Resource"><ext:Name><rdf:Alt><rdf:li xml:lang="x-default">Model X</rdf:li></rdf:Alt></ext:Name></rdf:li></rdf:Bag></ext:Contributor>
	</rdf:Description>`))
	require.NoError(t, err)
	assert.Equal(t, "Tool 1", info.CreatorTool)
	assert.Equal(t, "self#jumbf=/c2pa/x/c2pa.claim", info.Provenance)
	assert.Equal(t, "Made with AI", info.Credit)
	assert.Equal(t, "Imagen", info.AISystemUsed)
	assert.Equal(t, "3", info.AISystemVersionUsed)
	assert.Equal(t, []string{"http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED-AIMLTRAINING"}, info.DataMining)
	assert.Equal(t, []string{"Model X"}, info.Contributors)
}

func TestRealPackets(t *testing.T) {
	dir := fixtures.Dir(t, "media")
	packet := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(t, err)
		i, j := bytes.Index(b, []byte("<x:xmpmeta")), bytes.Index(b, []byte("</x:xmpmeta>"))
		require.True(t, i >= 0 && j > i, name)
		return b[i : j+12]
	}
	bing, err := Parse(packet("xmp_dst_trainedAlgorithmicMedia_bing.jpg"))
	require.NoError(t, err)
	assert.Equal(t, []string{dst}, bing.DigitalSourceTypes)
	assert.Equal(t, []string{"Bing Image Creator", "Brendan Quinn"}, bing.Contributors)
	assert.Contains(t, bing.Credit, "Bing Image Creator")

	sw, err := Parse(packet("iptc_ref2021_softwareImage.jpg"))
	require.NoError(t, err)
	assert.Equal(t, []string{"http://cv.iptc.org/newscodes/digitalsourcetype/softwareImage"}, sw.DigitalSourceTypes)

	remote, err := Parse(packet("c2pa_remote_manifest_ref.jpg"))
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(remote.Provenance, "https://cai-manifests.adobe.com/"))

	dm := fixtures.Read(t, "optout/media", "iptc-photometadata-ref-2024.1.DMI-PROHIBITED-GENAIMLTRAINING.xmp")
	info, err := Parse(dm)
	require.NoError(t, err)
	assert.Equal(t, []string{"http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED-GENAIMLTRAINING"}, info.DataMining)
}

func TestHostilePackets(t *testing.T) {
	_, err := Parse(make([]byte, MaxPacket+1))
	assert.ErrorContains(t, err, "cap")
	_, err = Parse([]byte("no xmp here"))
	assert.Error(t, err)
	deep := "<x:xmpmeta xmlns:x='adobe:ns:meta/'>" + strings.Repeat("<a>", 200) + strings.Repeat("</a>", 200) + "</x:xmpmeta>"
	_, err = Parse([]byte(deep))
	assert.ErrorContains(t, err, "deeper")
	// Custom entities are not expanded by encoding/xml (no billion laughs).
	lol := `<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>` + string(wrap(`<rdf:Description xmlns:xmp="http://ns.adobe.com/xap/1.0/"><xmp:CreatorTool>&b;</xmp:CreatorTool></rdf:Description>`))
	info, _ := Parse([]byte(lol))
	assert.Less(t, len(info.CreatorTool), 100)
}

func TestMerge(t *testing.T) {
	m := Merge(Info{CreatorTool: "a", DigitalSourceTypes: []string{"x"}}, Info{CreatorTool: "b", Provenance: "p", DigitalSourceTypes: []string{"y"}})
	assert.Equal(t, "a", m.CreatorTool)
	assert.Equal(t, "p", m.Provenance)
	assert.Equal(t, []string{"x", "y"}, m.DigitalSourceTypes)
}

func FuzzParse(f *testing.F) {
	f.Add(wrap(`<rdf:Description xmlns:I="http://iptc.org/std/Iptc4xmpExt/2008-02-29/" I:DigitalSourceType="` + dst + `"/>`))
	f.Add([]byte("<x:xmpmeta><rdf:RDF><rdf:li>"))
	f.Fuzz(func(t *testing.T, b []byte) {
		info, _ := Parse(b)
		for _, d := range info.DigitalSourceTypes {
			if len(d) > len(b) {
				t.Fatal("value longer than input")
			}
		}
	})
}
