package io.tidemark.appliance.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class ListingsTest {

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void shouldListVolumesWithHumanSizesJournalPositionsAndUrls() throws Exception {
        String text = Listings.volumes(json.readTree("""
                [{"name":"demo","sizeBytes":1073741824,"target":"iqn.2026-11.io.tidemark:demo","lun":0,
                  "url":"iscsi://10.0.0.5:3260/iqn.2026-11.io.tidemark:demo/0","path":"/d/demo.img",
                  "journal":{"groupId":7,"durability":"write-back","appended":1200,"durable":1190,"applied":1200,
                             "checkpointed":1000,"bytes":83886080,"directory":"/d/demo.journal"}},
                 {"name":"db","sizeBytes":1572864,"target":"iqn.2026-11.io.tidemark:vm","lun":12,
                  "url":"iscsi://10.0.0.5:3260/iqn.2026-11.io.tidemark:vm/12","path":"/d/db.img",
                  "journal":{"groupId":8,"durability":"write-through","appended":0,"durable":0,"applied":0,
                             "checkpointed":0,"bytes":0,"directory":"/d/db.journal"}}]
                """));
        assertThat(text).isEqualTo("""
                NAME  SIZE   TARGET                        LUN  APPENDED  DURABLE  APPLIED  CHECKPOINT  JOURNAL  URL
                demo  1G     iqn.2026-11.io.tidemark:demo  0    1200      1190     1200     1000        80M      iscsi://10.0.0.5:3260/iqn.2026-11.io.tidemark:demo/0
                db    1536K  iqn.2026-11.io.tidemark:vm    12   0         0        0        0           0        iscsi://10.0.0.5:3260/iqn.2026-11.io.tidemark:vm/12
                """);
    }

    @Test
    void shouldShowOneVolumeWithItsJournal() throws Exception {
        String text = Listings.volume(json.readTree("""
                {"name":"db","sizeBytes":1572864,"target":"iqn.x:vm","lun":12,"url":"u","path":"/d/db.img",
                 "journal":{"groupId":8,"durability":"write-through","appended":5,"durable":5,"applied":5,
                            "checkpointed":3,"bytes":4096,"directory":"/d/db.journal"}}
                """));
        assertThat(text).isEqualTo("""
                NAME  SIZE   TARGET    LUN  URL  PATH
                db    1536K  iqn.x:vm  12   u    /d/db.img

                GROUP  DURABILITY     APPENDED  DURABLE  APPLIED  CHECKPOINT  JOURNAL  JOURNAL-DIR
                8      write-through  5         5        5        3           4K       /d/db.journal
                """);
    }

    @Test
    void shouldSaySoWhenListsAreEmpty() throws Exception {
        assertThat(Listings.volumes(json.readTree("[]"))).isEqualTo("no volumes\n");
        assertThat(Listings.targets(json.readTree("[]"))).isEqualTo("no targets\n");
        assertThat(Listings.sessions(json.readTree("[]"))).isEqualTo("no sessions\n");
    }

    @Test
    void shouldListTargetsWithAuthInitiatorsAndLuns() throws Exception {
        String text = Listings.targets(json.readTree("""
                [{"iqn":"iqn.x:db","alias":"DB","auth":"chap","allowedInitiators":["iqn.a:1","iqn.b:2"],
                  "luns":[{"lun":0,"volume":"d0","url":"u0"},{"lun":1,"volume":"d1","url":"u1"}]},
                 {"iqn":"iqn.x:web","alias":null,"auth":"none","allowedInitiators":[],"luns":[]}]
                """));
        assertThat(text).isEqualTo("""
                TARGET     AUTH  INITIATORS       LUNS       ALIAS
                iqn.x:db   chap  iqn.a:1,iqn.b:2  0:d0,1:d1  DB
                iqn.x:web  none  any              none       -
                """);
    }

    @Test
    void shouldListSessionsMarkingDiscoverySessions() throws Exception {
        String text = Listings.sessions(json.readTree("""
                [{"initiatorName":"iqn.i:1","isid":"400001370000","tsih":1,"targetName":"iqn.x:db",
                  "remoteAddress":"10.0.0.9:51000","connections":1,"headerDigest":true,"dataDigest":true,
                  "authMethod":"CHAP"},
                 {"initiatorName":"iqn.i:2","isid":"400001370001","tsih":2,"targetName":null,
                  "remoteAddress":"10.0.0.9:51001","connections":1,"headerDigest":false,"dataDigest":false,
                  "authMethod":"None"}]
                """));
        assertThat(text).isEqualTo("""
                INITIATOR  TARGET       ISID          TSIH  CONNS  AUTH  DIGESTS      REMOTE
                iqn.i:1    iqn.x:db     400001370000  1     1      CHAP  header,data  10.0.0.9:51000
                iqn.i:2    (discovery)  400001370001  2     1      None  none         10.0.0.9:51001
                """);
    }

    @Test
    void shouldShowAProtectedGroupWithSyncProgressLagAndSequences() throws Exception {
        String text = Listings.group(json.readTree("""
                {"name":"g1","role":"primary","state":"syncing","volumes":["a","b"],"peer":"dr","mode":"sync",
                 "sync":{"doneBytes":1048576,"totalBytes":4194304,"percent":25.0,"etaSeconds":12.4},
                 "lag":{"seconds":0.25,"bytes":8192},"window":null,"pinnedViews":null,
                 "sequence":{"appended":40,"durable":39,"shipped":38,"acked":30}}
                """));
        assertThat(text).isEqualTo("""
                GROUP  ROLE     STATE    VOLUMES  PEER  MODE
                g1     primary  syncing  a,b      dr    sync

                SYNC   DONE  TOTAL  ETA
                25.0%  1M    4M     12s

                LAG-SECONDS  LAG-BYTES
                0.250        8192

                APPENDED  DURABLE  SHIPPED  ACKED
                40        39       38       30
                """);
    }

    @Test
    void shouldShowAReplicaWithItsWindowAndPinnedViews() throws Exception {
        String text = Listings.group(json.readTree("""
                {"name":"g1","role":"replica","state":"protected","volumes":["a"],"peer":"site-a","mode":null,
                 "window":{"oldest":{"sequence":6,"time":"2026-11-22T03:00:00Z"},
                           "newest":{"sequence":90,"time":"2026-11-22T03:10:00Z"}},
                 "pinnedViews":2,"sequence":{"appended":null,"durable":90,"shipped":null,"acked":null}}
                """));
        assertThat(text).contains("g1     replica  protected  a        site-a  -")
                .contains("oldest  6         2026-11-22T03:00:00Z", "newest  90        2026-11-22T03:10:00Z",
                        "pinned views: 2")
                .doesNotContain("SYNC", "LAG");
    }

    @Test
    void shouldListPointsAndPrintAViewWithOneUrlPerVolume() throws Exception {
        assertThat(Listings.points(json.readTree("""
                [{"sequence":7,"time":"2026-11-22T03:00:01Z","name":null},
                 {"sequence":9,"time":"2026-11-22T03:00:02Z","name":"quiesced"}]
                """))).isEqualTo("""
                SEQUENCE  TIME                  CHECKPOINT
                7         2026-11-22T03:00:01Z  -
                9         2026-11-22T03:00:02Z  quiesced
                """);
        assertThat(Listings.view(json.readTree("""
                {"view":"g1-pit-3","group":"g1","sequence":9,"time":"2026-11-22T03:00:02Z",
                 "volumes":[{"name":"a","target":"iqn.x:g1-pit-3","lun":0,"url":"iscsi://h:3260/iqn.x:g1-pit-3/0"},
                            {"name":"b","target":"iqn.x:g1-pit-3","lun":1,"url":"iscsi://h:3260/iqn.x:g1-pit-3/1"}]}
                """))).isEqualTo("""
                view g1-pit-3 of group g1 at seq 9 (2026-11-22T03:00:02Z)
                VOLUME  LUN  URL
                a       0    iscsi://h:3260/iqn.x:g1-pit-3/0
                b       1    iscsi://h:3260/iqn.x:g1-pit-3/1
                """);
        assertThat(Listings.views(json.readTree("[]"))).isEqualTo("no views\n");
        assertThat(Listings.peers(json.readTree("""
                [{"name":"dr","address":"","fingerprint":"ab12","pairedAt":"2026-11-22T02:00:00Z"}]
                """))).contains("dr    (dials us)  ab12");
    }
}
